"""The rep's update workbook: a rep's open deals exported to a workbook they edit offline (in Excel,
LibreOffice or a Funnelcast working copy), read back and merged into the manager's database.

Modules, in the order data flows: :mod:`book` (the in-memory form every side shares: frozen
dataclasses, no Qt, no database), :mod:`export` (database -> book, and the file),
:mod:`layout` (where everything sits in the file), :mod:`writer` / :mod:`reader` (book ->
file -> book), :mod:`merge_types` (what a merge found and did), :mod:`merge` (plan and commit
the three-way merge) and :mod:`service` (the command line's use case and report).
"""
