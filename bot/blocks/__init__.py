"""Pure Block Kit builders: functions of data (bot/models.py, bot/viewdata.py) to Slack surfaces."""
