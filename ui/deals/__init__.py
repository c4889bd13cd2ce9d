"""The Deals section: the table of every deal, and the deal dialog."""
