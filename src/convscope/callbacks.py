"""Keras callbacks of the training loop, one concern each: stopping on request, reporting
steps, and airbench's weight averaging."""

from __future__ import annotations

import keras

from .events import BatchProgress, CancelToken, Throttled, emit


class StopOnRequest(keras.callbacks.Callback):
    """Ends ``fit`` after the current step once ``token`` is set (from any thread)."""

    async_safe = True

    def __init__(self, token: CancelToken):
        super().__init__()
        self.token = token

    def on_train_batch_end(self, batch, logs=None):
        if self.token.cancelled:
            self.model.stop_training = True


class StepEvents(keras.callbacks.Callback):
    """Sends ``BatchProgress`` a few times a second; reads no tensors, so Keras may dispatch
    it asynchronously."""

    async_safe = True

    def __init__(self, observer, epoch: int, epochs: int, steps: int, interval: float = 0.2):
        super().__init__()
        self.observer, self.epoch, self.epochs, self.steps = observer, epoch, epochs, steps
        self.clock = Throttled(interval)

    def on_train_batch_end(self, batch, logs=None):
        # With several steps per call into the backend, Keras reports the end of the call,
        # which can pass the epoch's last, partial batch.
        step = min(batch + 1, self.steps)
        if self.clock.due(final=step >= self.steps):
            emit(self.observer, BatchProgress(self.epoch, self.epochs, step, self.steps))


class Lookahead(keras.callbacks.Callback):
    """airbench's weight averaging: every ``every`` steps the weights become a blend of their
    running average and themselves, the average weighing ``0.95 ** every × progress³``:
    nothing at first, three quarters at the end. Training ends on the average, which is
    steadier than the last weights. A resumed run starts a new average."""

    def __init__(self, total_steps: int, every: int = 5):
        super().__init__()
        self.total_steps, self.every = int(total_steps), int(every)
        self.average, self.last = None, 0

    def on_train_begin(self, logs=None):
        if self.average is None:
            self.average = self.model.get_weights()
            self.last = int(self.model.optimizer.iterations)

    def on_train_batch_end(self, batch, logs=None):
        step = int(self.model.optimizer.iterations)
        if step - self.last >= self.every or step >= self.total_steps:
            weight = self.kept(step)
            self.average = [weight * a + (1 - weight) * w
                            for a, w in zip(self.average, self.model.get_weights(), strict=True)]
            self.model.set_weights(self.average)
            self.last = step

    def kept(self, step: int) -> float:
        """The average's weight in a blend at ``step``. With several steps per call into the
        backend blends come less often: each then keeps what ``every``-step blends would
        have kept over the same steps."""
        progress = min(1.0, step / self.total_steps)
        return (0.95 ** self.every * progress ** 3) ** ((step - self.last) / self.every)
