"""Saving and loading: Keras file compatibility in both directions."""
