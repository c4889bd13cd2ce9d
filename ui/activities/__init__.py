"""The Activities section: a rep's weekly timesheet, the team's hours and the time figures,
and the quick-log dialog (Ctrl+L from anywhere)."""
