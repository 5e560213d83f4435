/**
 * Budgets enforced on the call: definitions ({@link dev.spectra.reactive.budget.Budget}: scope × period × limits,
 * hard or soft, thresholds), the operators that reserve an estimated cost before a call and settle it with the
 * actual one ({@link dev.spectra.reactive.budget.SpectraBudgets}), the store of spend and reservations
 * ({@link dev.spectra.reactive.budget.BudgetStore}: {@link dev.spectra.reactive.budget.InMemoryBudgetStore} here,
 * PostgreSQL in {@code spectra-reactive-r2dbc}), threshold events and status.
 */
@NullMarked
package dev.spectra.reactive.budget;

import org.jspecify.annotations.NullMarked;
