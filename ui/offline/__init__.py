"""The rep's update workbook in the window: the File menu's export, working copy and save
actions (:mod:`ui.offline.install`), and the merge's plan and conflict dialog in the import
wizard (:mod:`ui.offline.merge_page`, :mod:`ui.offline.conflict_dialog`)."""
