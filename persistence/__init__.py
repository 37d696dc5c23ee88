"""Storage: tables, repositories, the SQL unit of work, read views and migrations."""
