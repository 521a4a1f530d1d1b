"""Receipt printers: the interface, the ESC/POS driver and an in-memory fake."""
