"""The SMS/WhatsApp boundary: webhooks in, bilingual reply texts, signature checks."""
