"""Console progress bar matching Keras 3's `keras.utils.Progbar` output.

The format reproduced here (see `shared/reference/keras.md` section 5.3):

- verbose=1: `ESC[1m{cur}/{target}ESC[0m ` then a 20-wide bar of U+2501
  characters (green for the done part, light grey for the rest), then the ETA
  (or the elapsed time once finished) in bold, the time per step, and
  ` - name: value` for every logged value. Updates redraw the same line.
- verbose=2: a single plain line when the bar is finalized:
  `{cur}/{target} - {elapsed}s - {t}ms/step - name: value ...`.

All user-facing text goes through `print_msg`.
"""

import math
import os
import sys
import time

import numpy as np

# Read through this name so tests can substitute a deterministic clock.
_clock = time.time

_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"
_GREEN = "\x1b[32m"
_GREY = "\x1b[37m"
_BAR_CHAR = "\u2501"  # '━'


def print_msg(message, line_break=True, verbose=1):
    """Writes user-facing text to standard output.

    Every callback and progress bar prints through this helper, so that
    output can be silenced in one place.

    Args:
        message: String to write.
        line_break: Whether to end the text with a newline.
        verbose: Nothing is written when this is falsy (0).

    Example:

    >>> print_msg("Epoch 1/3")
    Epoch 1/3
    """
    if not verbose:
        return
    stream = sys.stdout  # looked up per call so redirection is honoured
    stream.write(message + "\n" if line_break else message)
    stream.flush()


def _dynamic_display_enabled():
    """Keras' rule: redraw in place on a TTY, in notebooks, on any POSIX
    system (the `posix` module is always loaded there, even when piped) and
    under PyCharm; otherwise print each update on a new line."""
    stdout = sys.stdout
    return bool(
        (hasattr(stdout, "isatty") and stdout.isatty())
        or "ipykernel" in sys.modules
        or "posix" in sys.modules
        or "PYCHARM_HOSTED" in os.environ
    )


def _format_duration(seconds):
    """Formats an ETA as `Ns`, `M:SS` or `H:MM:SS` (truncated seconds)."""
    if seconds > 3600:
        hours, rest = divmod(seconds, 3600)
        return "%d:%02d:%02d" % (hours, rest // 60, rest % 60)
    if seconds > 60:
        return "%d:%02d" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


def _format_time_per_unit(time_per_unit, unit_name):
    """Formats the time per unit as ` Ns/step`, ` Nms/step` or ` Nus/step`."""
    if time_per_unit >= 1 or time_per_unit == 0:
        return f" {time_per_unit:.0f}s/{unit_name}"
    if time_per_unit >= 1e-3:
        return f" {time_per_unit * 1e3:.0f}ms/{unit_name}"
    return f" {time_per_unit * 1e6:.0f}us/{unit_name}"


def _average(entry):
    """Returns the displayed value of a `[weighted_sum, count]` entry, or
    None when the value is not numeric."""
    total, count = entry
    if isinstance(total, str):
        return None
    if not isinstance(total, float):
        try:
            total = np.mean(total)
        except (TypeError, ValueError):
            return None
    return total / max(1, count)


class Progbar:
    """Displays a progress bar.

    Values passed to `update` are averaged over the steps of the bar (each
    value weighted by the number of steps since the previous update), unless
    they are listed in `stateful_metrics`; the final update (`finalize=True`)
    shows the values it is given exactly. When neither `stateful_metrics`
    nor `stateless_metrics` is given, every value is averaged.

    Args:
        target: Total number of steps expected, or None if unknown.
        width: Width of the bar in characters. Defaults to 20.
        verbose: 0 (silent), 1 (redrawn bar) or 2 (one line at the end).
        interval: Minimum number of seconds between two redraws with
            verbose=1. Defaults to 0.05.
        stateful_metrics: Iterable of names whose values are displayed as
            given rather than averaged. Give at most one of
            `stateful_metrics` and `stateless_metrics`.
        stateless_metrics: Iterable of names whose values are averaged; all
            others are displayed as given.
        unit_name: Name of one step in the time-per-step display.

    Example:

    >>> bar = Progbar(target=3, verbose=2)
    >>> for step in range(1, 4):
    ...     bar.update(step, [("loss", 1.0 / step)])
    """

    def __init__(
        self,
        target,
        width=20,
        verbose=1,
        interval=0.05,
        stateful_metrics=None,
        stateless_metrics=None,
        unit_name="step",
    ):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Pass at most one of `stateful_metrics` (values shown as "
                "given, all others averaged) and `stateless_metrics` (values "
                "averaged, all others shown as given). Received both: "
                f"stateful_metrics={stateful_metrics}, "
                f"stateless_metrics={stateless_metrics}"
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = None
        self.stateless_metrics = None
        if stateless_metrics is not None:
            self.stateless_metrics = set(stateless_metrics)
        else:
            self.stateful_metrics = set(stateful_metrics or ())

        self._dynamic_display = _dynamic_display_enabled()
        self._seen_so_far = 0
        self._values = {}  # name -> [weighted sum, weight]
        self._values_order = []
        self._start = _clock()
        self._last_update = 0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def update(self, current, values=None, finalize=None):
        """Updates the progress bar.

        Args:
            current: Index of the current step (1-based count of steps done).
            values: List of `(name, value)` tuples for the last step.
            finalize: Whether this is the last update. Defaults to
                `current >= target` (False when the target is unknown).
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._accumulate(current, values or [], finalize)
        self._seen_so_far = current

        now = _clock()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._print_bar(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize:
            if self.target is not None and self.target > 0:
                self._print_line(current, now, time_per_unit)
        self._last_update = now

    def add(self, n, values=None):
        """Advances the bar by `n` steps; see `update` for `values`."""
        self.update(self._seen_so_far + n, values)

    def _is_averaged(self, name):
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def _accumulate(self, current, values, finalize):
        for name, value in values:
            if name not in self._values_order:
                self._values_order.append(name)
            if finalize or isinstance(value, str) or not self._is_averaged(name):
                self._values[name] = [value, 1]
                continue
            # Weight by the steps covered since the previous update (at
            # least one, so a repeated step still counts).
            steps = max(current - self._seen_so_far, 1)
            if name in self._values:
                self._values[name][0] += value * steps
                self._values[name][1] += steps
            else:
                self._values[name] = [value * steps, steps]

    def _count_text(self, current):
        digits = int(math.log10(self.target)) + 1
        return f"%{digits}d/%d" % (current, self.target)

    def _print_bar(self, current, now, time_per_unit, finalize):
        if self._dynamic_display:
            message = "\b" * self._prev_total_width + "\r"
        else:
            message = "\n"
        ansi = 0  # length of escape codes, which take no room on screen
        known = self.target is not None and self.target > 0
        if known:
            bar = f"{_BOLD}{self._count_text(current)}{_RESET} "
            done = int(self.width * float(current) / self.target)
            if done > 0:
                bar += f"{_GREEN}{_BAR_CHAR * done}{_RESET}"
                ansi += len(_GREEN) + len(_RESET)
            bar += f"{_GREY}{_BAR_CHAR * (self.width - done)}{_RESET}"
            ansi += len(_BOLD) + len(_GREY) + 2 * len(_RESET)
        else:
            bar = "%7d/Unknown" % current

        if known and not finalize:
            shown = _format_duration(time_per_unit * (self.target - current))
        else:
            shown = f"{now - self._start:.0f}s"
        info = f" {_BOLD}{shown}{_RESET}"
        ansi += len(_BOLD) + len(_RESET)
        info += _format_time_per_unit(time_per_unit, self.unit_name)
        info += self._values_text(signed=False)

        total_width = len(bar) + len(info) - ansi
        message += bar + info
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        print_msg(message, line_break=False)
        self._prev_total_width = total_width

    def _print_line(self, current, now, time_per_unit):
        info = f"{self._count_text(current)} - {now - self._start:.0f}s"
        info += " -" + _format_time_per_unit(time_per_unit, self.unit_name)
        info += self._values_text(signed=True)
        print_msg(info + "\n", line_break=False)

    def _values_text(self, signed):
        # NOTE: Keras' verbose=2 line compares the signed value with 1e-3, so
        # negative values print in scientific notation there; kept as is.
        text = ""
        for name in self._values_order:
            avg = _average(self._values[name])
            if avg is None:
                text += f" - {name}: {self._values[name][0]}"
                continue
            large = (avg if signed else abs(avg)) > 1e-3
            text += f" - {name}: {avg:.4f}" if large else f" - {name}: {avg:.4e}"
        return text

    def _estimate_step_duration(self, current, now):
        """Seconds per step; the first step is left out of the estimate once
        later steps are known, since it usually includes start-up costs."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step
