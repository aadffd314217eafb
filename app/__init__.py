"""Kizuna: a self-hosted CRM + invoicing suite."""
