"""DOS rules: denial of service and denial of wallet through configuration."""
