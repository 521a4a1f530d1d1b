"""The screens people use in a browser: the till (``/till``); later the office and ``/me``.

Server-rendered Jinja templates with htmx for partial updates. Every screen is a client of the
same use cases as the HTTP API (``pos.*.service``): no business rule lives in a template or in
the JavaScript, which only buffers the scanner, binds hotkeys and keeps the scan field focused.
"""
