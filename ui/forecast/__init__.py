"""The Forecast section: a card per rep and for the team, the team's distribution of
outcomes, and each card's deals."""
