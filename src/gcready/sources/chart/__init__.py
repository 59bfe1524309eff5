"""Rules of the Helm charts W&B publishes, in one place for every reader that meets their values."""
