"""Spreadsheets: the data annex (.xlsx and .csv), the owners' return workbooks, and what every workbook shares (`workbook`)."""
