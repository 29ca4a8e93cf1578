"""From relevant post to Slack card and back: outbox, transitions, reminders, reply watch, App Home."""
