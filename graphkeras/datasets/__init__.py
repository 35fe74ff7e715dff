"""Data sets: ``digits`` ships inside graphkeras; the Keras data sets load from the Keras cache.

Nothing is downloaded: the Keras loaders read the file a Keras installation
would have stored under ``~/.keras/datasets/`` (or ``$KERAS_HOME/datasets/``)
and say which file to put where when it is missing.
"""

from graphkeras.datasets import (boston_housing, cifar10, digits, fashion_mnist,  # noqa: F401
                                 imdb, mnist, reuters)
