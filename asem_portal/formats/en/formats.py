"""Dates and times as the portal writes them ("27 Oct 2026", "27 Oct 2026 14:05"), in the admin and wherever a
date is shown without a format of its own: English's own formats are American ("Oct. 27, 2026, 2:05 p.m.")."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
