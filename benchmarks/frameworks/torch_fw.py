"""PyTorch, eager and with ``torch.compile``, written as a PyTorch user would.

The model is ``nn.Sequential`` of ``Linear``/``ReLU``/``Dropout`` producing
logits, trained with ``F.cross_entropy`` (which applies the log-softmax, the
idiomatic equivalent of a softmax layer with sparse categorical crossentropy)
and ``torch.optim.Adam``. A training pass draws a random permutation and
gathers each batch by tensor indexing (cheaper than a ``DataLoader``, so the
peer gets its best reasonable shot). Prediction converts the NumPy sample with
``torch.from_numpy``, runs the model under ``inference_mode`` and returns the
softmax as NumPy, so the call does the same job as graphkeras's ``predict``.

With ``compiled=True`` the module is wrapped in ``torch.compile`` (default
mode); its first training and first inference calls compile, which the
warm-up absorbs. Thread counts are PyTorch's defaults.
"""

from benchmarks import workloads as wl


def versions(compiled=False):
    import torch
    info = {"torch": torch.__version__, "torch_threads": torch.get_num_threads()}
    if compiled:
        import torch._inductor  # noqa: F401  (fails early if inductor is unusable)
    return info


class Runner:
    """One workload's PyTorch model, optimizer and data."""

    def __init__(self, workload, compiled=False):
        import torch
        from torch import nn

        self.torch = torch
        self.workload = workload
        self.notes = ["torch.compile(model), default mode"] if compiled else []
        torch.manual_seed(0)
        spec = workload.model
        modules = []
        for k, (fan_in, fan_out) in enumerate(spec.layers):
            modules.append(nn.Linear(fan_in, fan_out))
            if k < len(spec.layers) - 1:
                modules.append(nn.ReLU())
                if spec.dropout:
                    modules.append(nn.Dropout(spec.dropout))
        self.model = nn.Sequential(*modules)
        self.forward = torch.compile(self.model) if compiled else self.model
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        self.loss = None
        if workload.kind == "predict1":
            self.x1 = wl.one_sample(workload)
        else:
            x, y = wl.data(workload)
            self.x = torch.from_numpy(x)
            self.y = torch.from_numpy(y)

    def train_steps(self, n):
        torch = self.torch
        batch = self.workload.batch
        self.model.train()
        order = torch.randperm(n * batch)
        for step in range(n):
            index = order[step * batch:(step + 1) * batch]
            xb, yb = self.x[index], self.y[index]
            self.optimizer.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(self.forward(xb), yb)
            loss.backward()
            self.optimizer.step()
        self.loss = loss

    def predict_one(self):
        torch = self.torch
        self.model.eval()
        with torch.inference_mode():
            return torch.softmax(self.forward(torch.from_numpy(self.x1)), dim=-1).numpy()

    def sync(self):
        """CPU tensors are computed eagerly; reading the loss is a no-op barrier for safety."""
        if self.loss is not None:
            float(self.loss.detach())


def build(workload, compiled=False):
    return Runner(workload, compiled=compiled)
