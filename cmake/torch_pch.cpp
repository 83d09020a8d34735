// Translation unit that owns the precompiled <torch/torch.h> every torch target reuses.
