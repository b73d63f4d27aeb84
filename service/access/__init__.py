"""Who may call: API keys, webhook signatures, rate limits, and the guard that applies them."""
