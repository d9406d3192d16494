"""Vendor-free machinery every backend builds on: HTTP, retries, tokens, settings, value
adaptation, job polling, result decoding and fetch scheduling. Nothing here names a CDP."""
