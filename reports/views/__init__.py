"""The reports' pages, one module per concern: the dashboard, the annual export, the year-end
summary and the audit trail."""
