"""The till's hardware: device settings, the device service owning every port, scales, printers."""
