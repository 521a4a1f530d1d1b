"""Users, roles, bearer tokens, manager approvals and the audit log."""
