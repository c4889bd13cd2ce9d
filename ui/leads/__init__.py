"""The Leads section: marketing-side leads ranked by lead score, and the hand-off to sales."""
