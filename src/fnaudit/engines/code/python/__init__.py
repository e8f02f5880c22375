"""The Python analyser of the code engine (`ast` only: scanned code is never imported or run)."""
