"""The shared kernel: settings, money, persistence, errors, security, registries, web plumbing."""
