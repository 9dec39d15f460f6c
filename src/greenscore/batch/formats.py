"""The formats a results folder can be written in, apart from the writers so that the command
line can offer them without importing pandas."""

FORMATS = ("csv", "xlsx", "parquet", "json")
DEFAULT_FORMATS = ("csv", "xlsx")
