"""The diagonal-Gaussian latent variable of a VAE: sampling it and its KL to the prior."""

import torch


def reparameterize(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """Draw z ~ N(mean, exp(log_var)) as ``mean + std * eps`` with eps ~ N(0, I).

    Writing the sample as a deterministic function of the parameters and independent
    noise lets gradients flow into ``mean`` and ``log_var`` (Kingma & Welling 2014, Sec. 2.4).
    """
    return mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)


def kl_standard_normal(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """KL( N(mean, diag exp(log_var)) || N(0, I) ), summed over latent dimensions.

    Closed form (Kingma & Welling 2014, Appendix B):
    0.5 * sum(exp(log_var) + mean^2 - 1 - log_var). Returns one value per sample.
    """
    return 0.5 * (log_var.exp() + mean.pow(2) - 1.0 - log_var).sum(dim=-1)


def kl_normal(mean: torch.Tensor, log_var: torch.Tensor, prior_mean: torch.Tensor,
              prior_var: torch.Tensor) -> torch.Tensor:
    """KL( N(mean, exp(log_var)) || N(prior_mean, prior_var) ), summed over dimensions, per sample."""
    var = log_var.exp()
    return 0.5 * (torch.log(prior_var) - log_var + (var + (mean - prior_mean).pow(2)) / prior_var - 1.0).sum(dim=-1)
