"""The import wizard (issue 5): file and sheet, column mapping, stage values, preview, import,
summary with "Undo last import". Every step runs :mod:`app.importing` on the worker."""
