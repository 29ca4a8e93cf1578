"""Employees: handles, /register, the roster CSV, /who-covers, suggested experts, their own voice."""
