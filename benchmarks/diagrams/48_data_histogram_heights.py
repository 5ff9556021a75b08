import numpy as np
import matplotlib.pyplot as plt

# Heights of 500 students are normally distributed with mean 170 cm and standard deviation 8 cm.
mu, sigma, n = 170, 8, 500
rng = np.random.default_rng(42)
heights = rng.normal(mu, sigma, n)

fig, ax = plt.subplots(figsize=(8, 5))
counts, bins, _ = ax.hist(heights, bins=25, density=True, color='#9fc5e8', edgecolor='black',
                          alpha=0.8, label=f'Sample (n = {n})')
x = np.linspace(140, 200, 300)
pdf = np.exp(-(x - mu) ** 2 / (2 * sigma ** 2)) / (sigma * np.sqrt(2 * np.pi))
ax.plot(x, pdf, 'r-', lw=2, label='Normal(μ = 170, σ = 8)')
ax.axvline(mu, color='k', ls='--')
for k in (1, 2):
    ax.axvline(mu - k * sigma, color='gray', ls=':')
    ax.axvline(mu + k * sigma, color='gray', ls=':')
ax.fill_between(x, pdf, where=(x >= mu - sigma) & (x <= mu + sigma), color='red', alpha=0.15,
                label='μ ± σ (68%)')
ax.text(mu + 0.5, pdf.max() * 1.05, 'μ = 170 cm', fontsize=10)
ax.text(mu + sigma + 0.5, pdf.max() * 0.8, 'σ = 8 cm', fontsize=10)
ax.set_xlabel('Height (cm)')
ax.set_ylabel('Probability density')
ax.set_xlim(140, 200)
ax.set_ylim(0, pdf.max() * 1.2)
ax.legend(loc='upper left', fontsize=9)
ax.set_title('Distribution of Student Heights')
plt.savefig('histogram.png', dpi=150, bbox_inches='tight')
