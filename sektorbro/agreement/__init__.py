"""The cooperation agreement on the good admission and discharge, as plain-Python rules (no Django).

Course snapshots in (``model.CourseSnapshot``), decisions out (``model.Decision``: value, reasons in Danish
and English, sources). ``evaluate.evaluate`` gives every decision at once."""
