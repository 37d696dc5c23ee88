"""Service functions: each owns one unit of work around one use of the domain."""
