"""Every snippet of the Keras guide our users started from, with ``graphkeras`` for ``keras``.

The snippets are kept as the guide writes them (only the package name changes),
run in order on small random data of the guide's shapes.
"""

import numpy as np
import pytest


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 96)
    onehot = np.eye(10, dtype="float32")[labels]
    x = rng.normal(size=(96, 784)).astype("float32")
    return {"X_train": x[:64], "y_train": onehot[:64], "X_valid": x[64:80],
            "y_valid": onehot[64:80], "X_test": x[80:], "y_test": onehot[80:],
            "X_new": x[80:84]}


def test_every_guide_snippet_runs(data, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    X_train, y_train = data["X_train"], data["y_train"]
    X_valid, y_valid = data["X_valid"], data["y_valid"]
    X_test, y_test, X_new = data["X_test"], data["y_test"], data["X_new"]

    # How to Instantiate a Model
    from graphkeras.models import Sequential

    model = Sequential()

    from graphkeras.layers import Input, Dense
    from graphkeras.models import Model

    inputs = Input(shape=(784,))
    outputs = Dense(10, activation='softmax')(inputs)
    functional = Model(inputs, outputs)
    assert functional.outputs[0].shape == (None, 10)

    # How to Build a Layer
    from graphkeras.layers import Dense

    model.add(Dense(64, activation='relu', input_shape=(784,)))
    model.add(Dense(10, activation='softmax'))

    # How to Add Regularization to a Layer
    from graphkeras.regularizers import l2

    regularized = Sequential()
    regularized.add(Dense(64, activation='relu', kernel_regularizer=l2(0.01),
                          input_shape=(784,)))

    # How to Add Dropout to a Layer
    from graphkeras.layers import Dropout

    dropout = Sequential()
    dropout.add(Dense(64, activation='relu', input_shape=(784,)))
    dropout.add(Dropout(0.5))

    # How to Add Batch Normalization
    from graphkeras.layers import BatchNormalization

    batchnorm = Sequential()
    batchnorm.add(Dense(64, activation='relu', input_shape=(784,)))
    batchnorm.add(BatchNormalization())
    for extra in (regularized, dropout, batchnorm):
        extra.add(Dense(10, activation='softmax'))
        extra.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
        extra.fit(X_train, y_train, epochs=1, batch_size=32, verbose=0)

    # How to Compile a Model
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])

    # How to Optimize a Model
    from graphkeras.optimizers import Adam

    model.compile(optimizer=Adam(lr=0.001), loss='categorical_crossentropy',
                  metrics=['accuracy'])

    # How to Fit a Model
    model.fit(X_train, y_train, epochs=10, batch_size=32, validation_data=(X_valid, y_valid))

    # How to Use Validation Data
    model.fit(X_train, y_train, epochs=10, batch_size=32, validation_split=0.2)

    # How to Perform Early Stopping
    from graphkeras.callbacks import EarlyStopping

    early_stopping = EarlyStopping(monitor='val_loss', patience=3)
    history = model.fit(X_train, y_train, epochs=10, batch_size=32,
                        validation_data=(X_valid, y_valid), callbacks=[early_stopping])
    assert 1 <= len(history.history["val_loss"]) <= 10

    # How to Measure Accuracy / How to Evaluate a Model
    loss, accuracy = model.evaluate(X_test, y_test)
    print('Test loss:', loss)
    print('Test accuracy:', accuracy)
    assert 0.0 <= accuracy <= 1.0

    # How to Make a Prediction with a Model
    predictions = model.predict(X_new)
    print(predictions)
    assert predictions.shape == (4, 10)

    # How to Access the Weights/Outputs of a Model
    weights = model.get_weights()
    from graphkeras.models import Model

    layer_outputs = [layer.output for layer in model.layers]
    intermediate_model = Model(inputs=model.input, outputs=layer_outputs)
    intermediate_outputs = intermediate_model.predict(X_new)
    np.testing.assert_allclose(intermediate_outputs[-1], predictions, rtol=1e-6)

    # How to Save and Load a Model's Weights, Configuration, and the Entire Model
    model.save_weights('model_weights.h5')
    model.load_weights('model_weights.h5')
    model.save('model.h5')

    from graphkeras.models import load_model

    model = load_model('model.h5')
    np.testing.assert_allclose(model.predict(X_new), predictions, rtol=1e-6)
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)
    out = capsys.readouterr().out
    assert "Test accuracy:" in out and "Epoch 10/10" in out
