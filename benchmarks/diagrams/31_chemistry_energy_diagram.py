import numpy as np
import matplotlib.pyplot as plt

# Exothermic reaction: Ea = 75 kJ/mol, ΔH = −50 kJ/mol. With catalyst Ea' = 40 kJ/mol.
E_react = 100
E_prod = 50
Ea = 75
Ea_cat = 40

x = np.linspace(0, 10, 500)


def profile(peak):
    base = E_react + (E_prod - E_react) / (1 + np.exp(-(x - 5) * 2.5))
    bump = (E_react + peak - base[250]) * np.exp(-((x - 5) ** 2) / 1.2)
    return base + bump


fig, ax = plt.subplots(figsize=(8, 6))
ax.plot(x, profile(Ea), 'k-', lw=2.5, label='Uncatalysed')
ax.plot(x, profile(Ea_cat), 'g--', lw=2, label='Catalysed')

ax.hlines(E_react, 0, 3, colors='blue', lw=1)
ax.hlines(E_prod, 7, 10, colors='blue', lw=1)
ax.text(0.5, E_react + 4, 'Reactants\nA + B', fontsize=11)
ax.text(8, E_prod + 4, 'Products\nC + D', fontsize=11)

ax.annotate('', xy=(5, E_react + Ea), xytext=(5, E_react), arrowprops=dict(arrowstyle='<->', color='red'))
ax.text(5.15, E_react + Ea / 2, 'Ea = 75 kJ/mol', color='red', fontsize=11)
ax.hlines(E_react, 3, 5.3, colors='gray', ls=':', lw=1)
ax.annotate('', xy=(4.3, E_react + Ea_cat), xytext=(4.3, E_react),
            arrowprops=dict(arrowstyle='<->', color='green'))
ax.text(2.3, E_react + 20, "Ea' = 40 kJ/mol", color='green', fontsize=10)

ax.annotate('', xy=(9, E_prod), xytext=(9, E_react), arrowprops=dict(arrowstyle='->', color='purple', lw=1.5))
ax.hlines(E_react, 7, 9.2, colors='gray', ls=':', lw=1)
ax.text(9.1, 75, 'ΔH = −50\nkJ/mol', color='purple', fontsize=10)

ax.set_xlim(0, 10.5)
ax.set_ylim(30, 200)
ax.set_xticks([])
ax.set_xlabel('Reaction coordinate')
ax.set_ylabel('Potential energy (kJ/mol)')
ax.set_title('Energy Profile of an Exothermic Reaction')
ax.legend(loc='upper right')
plt.savefig('energy_diagram.png', dpi=150, bbox_inches='tight')
