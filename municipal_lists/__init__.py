"""Municipal lists as files: read for import (CSV in UTF-8 or Shift_JIS, Excel), written for
export."""
