"""Compliance exports for funders: definitions as data, a streaming engine, the register."""
