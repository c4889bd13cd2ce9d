"""The rep's update workbook: a rep's open deals exported to a workbook they edit offline (in Excel,
LibreOffice or a Funnelcast working copy), read back and merged into the manager's database.

``book`` holds the in-memory form both sides share (plain frozen dataclasses, no Qt, no database);
``writer``/``reader`` turn it into the file and back; ``export`` builds it from the database;
``merge`` plans and commits the three-way merge.
"""
