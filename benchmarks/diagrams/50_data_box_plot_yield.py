import numpy as np
import matplotlib.pyplot as plt

# Crop yield (t/ha) for three fertiliser treatments, 12 plots each.
rng = np.random.default_rng(0)
control = rng.normal(4.2, 0.4, 12)
treat_a = rng.normal(5.0, 0.5, 12)
treat_b = rng.normal(5.6, 0.35, 12)
data = [control, treat_a, treat_b]
names = ['Control', 'Fertiliser A', 'Fertiliser B']

# quick look at the raw values first
plt.figure(figsize=(5, 4))
for i, d in enumerate(data):
    plt.plot(np.full(d.size, i), d, 'o')
plt.title('raw values')

# final figure
fig, ax = plt.subplots(figsize=(7, 5))
bp = ax.boxplot(data, patch_artist=True, widths=0.5)
ax.set_xticks([1, 2, 3], names)
for patch, c in zip(bp['boxes'], ['#d9d9d9', '#b6d7a8', '#6aa84f']):
    patch.set_facecolor(c)
for i, d in enumerate(data, start=1):
    jitter = rng.uniform(-0.08, 0.08, d.size)
    ax.plot(i + jitter, d, 'k.', alpha=0.6)
    ax.text(i, d.max() + 0.15, f'mean = {d.mean():.2f}', ha='center', fontsize=9)
ax.set_ylabel('Yield (t/ha)')
ax.set_ylim(3, 7)
ax.set_title('Effect of Fertiliser on Crop Yield (n = 12 plots each)')
ax.grid(axis='y', alpha=0.3)
plt.savefig('output.png', dpi=150)
