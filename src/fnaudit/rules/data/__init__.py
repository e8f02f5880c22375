"""DATA rules: the app's own data stores (buckets, tables) open to people outside the account."""
