// The settlement checks of reconciliation blocks (docs/settlement.md, docs/ledger-format.md §8), in the C#
// ChainVerifier's order: what the public can check of a summary's totals, an opened household record against the
// rules of one household's settlement, and, with every record of a block opened, the whole interval: totals that
// are the records' sums, the exact pro-rata split with largest remainders and the north-west pairing's amounts.
import { failure } from './chain.js';
import { isRoundingOf, tradeAmount } from './records.js';

const min = (a, b) => (a < b ? a : b);
const max0 = (x) => (x > 0n ? x : 0n);

const roundingProblem = (what, t, price) =>
  `${what}: ${t.amount} for ${t.energy} Wh in ${t.postings} postings is not ${t.energy} Wh x ${price} / 1000 with each posting rounded half up`;

/**
 * A summary's totals against each other and the interval's traded energy (every trader has a record with its
 * trades' sold and bought energy, so both add up to the traded energy and Σ surplus − Σ shortfall = Σ export −
 * Σ import); an error text or null.
 */
export function summaryTotalsProblem(s, tradedWh) {
  const local = s.localPrice;
  const netted = local === null ? 0n : min(s.shortfall, s.surplus);
  const n = BigInt(s.householdCount);
  if (s.exportWh < 0n || s.importWh < 0n || s.shortfall < 0n || s.surplus < 0n || s.netted < 0n) return 'totals must not be negative';
  if (s.surplus - s.shortfall !== s.exportWh - s.importWh) {
    return `surplus ${s.surplus} Wh minus shortfall ${s.shortfall} Wh is not export ${s.exportWh} Wh minus import ${s.importWh} Wh (sold and bought energy cancel out)`;
  }
  if (s.shortfall > s.importWh + tradedWh || s.surplus > s.exportWh + tradedWh) {
    return 'the shortfall exceeds import plus energy sold, or the surplus exceeds export plus energy bought';
  }
  if (s.netted !== netted) return `netted ${s.netted} Wh is not ${local === null ? '0 (no local price)' : `min(shortfall, surplus) = ${netted} Wh`}`;
  if (s.cover.energy !== netted) return `neighbour cover of ${s.cover.energy} Wh is not the netted ${netted} Wh`;
  if (s.purchase.energy !== s.shortfall - netted) {
    return `the utility purchases of ${s.purchase.energy} Wh are not the shortfall left after netting, ${s.shortfall - netted} Wh`;
  }
  if (s.feedIn.energy !== s.surplus - netted) return `the feed-in of ${s.feedIn.energy} Wh is not the surplus left after netting, ${s.surplus - netted} Wh`;
  if (s.purchase.postings > n || s.feedIn.postings > n || s.cover.postings > (n > 0n ? n - 1n : 0n)) {
    return 'more postings than households can have (one utility posting each, at most households - 1 neighbour covers)';
  }
  if (!isRoundingOf(s.cover, local ?? 0n)) return roundingProblem('neighbour cover', s.cover, local ?? 0n);
  if (!isRoundingOf(s.purchase, s.retailPrice)) return roundingProblem('utility purchase', s.purchase, s.retailPrice);
  if (!isRoundingOf(s.feedIn, s.feedInTariff)) return roundingProblem('utility feed-in', s.feedIn, s.feedInTariff);
  return null;
}

/** Whether `share` is total × weight / sum rounded down, or one more when that leaves a remainder. */
function isShare(share, weight, total, sum) {
  if (weight === 0n || weight > sum) return weight === 0n && share === 0n;
  const product = total * weight;
  const floor = product / sum;
  return share === floor || (product % sum !== 0n && share === floor + 1n);
}

/**
 * An opened household record `r` (its commitment already matched) against the rules of one household's settlement:
 * amounts at each kind's price, sold energy covered, the deviation settled exactly, and its share of the netted
 * energy what the summary's totals give it. A failure or null.
 */
export function checkOpened(x, r, summary, header, h, leafIndex) {
  const fail = (reason, message) => failure(reason, h, message, null, leafIndex);
  const kinds = [r.covered, r.provided, r.bought, r.sold];
  if (r.intervalEnd !== header.intervalEnd) return fail('InvalidReconciliation', 'the opened record names another interval end than its block');
  if (r.exportWh < 0n || r.importWh < 0n || kinds.some((k) => k.energy < 0n || k.amount < 0n)) {
    return fail('InvalidReconciliation', 'energies and amounts must not be negative');
  }
  if (r.bought.postings > 1n || r.sold.postings > 1n) return fail('InvalidReconciliation', 'a household has at most one utility posting of each kind');

  const local = summary.localPrice ?? 0n;
  if (summary.localPrice === null && (r.covered.energy !== 0n || r.provided.energy !== 0n)) {
    return fail('ImbalanceMismatch', 'neighbours cover each other only at a local price; this interval has none');
  }
  const priced = [['covered by neighbours', r.covered, local], ['provided to neighbours', r.provided, local],
    ['bought from the utility', r.bought, summary.retailPrice], ['sold to the utility', r.sold, summary.feedInTariff]];
  for (const [what, total, price] of priced) {
    if (!isRoundingOf(total, price)) return fail('ImbalanceMismatch', roundingProblem(what, total, price));
  }

  const unused = max0(x.bought - r.importWh);
  if (x.sold > r.exportWh + r.covered.energy + r.bought.energy + unused) {
    return fail('SoldNotCovered',
      `household ${x.household} sold ${x.sold} Wh but exported ${r.exportWh} Wh, was covered for ${r.covered.energy + r.bought.energy} Wh and left ${unused} Wh of its purchases unused`);
  }
  const deviation = r.exportWh - r.importWh - x.sold + x.bought;
  const shortfall = max0(-deviation);
  const surplus = max0(deviation);
  if (r.covered.energy + r.bought.energy !== shortfall || r.provided.energy + r.sold.energy !== surplus) {
    return fail('ImbalanceMismatch',
      `household ${x.household} deviates by ${deviation} Wh but its postings settle ${r.covered.energy + r.bought.energy} Wh short and ${r.provided.energy + r.sold.energy} Wh long`);
  }
  if (!isShare(r.covered.energy, shortfall, summary.netted, summary.shortfall)) {
    return fail('ImbalanceMismatch',
      `household ${x.household} was covered for ${r.covered.energy} Wh of its ${shortfall} Wh shortfall, not its pro-rata share of the ${summary.netted} Wh netted against the community's ${summary.shortfall} Wh`);
  }
  if (!isShare(r.provided.energy, surplus, summary.netted, summary.surplus)) {
    return fail('ImbalanceMismatch',
      `household ${x.household} provided ${r.provided.energy} Wh of its ${surplus} Wh surplus, not its pro-rata share of the ${summary.netted} Wh netted against the community's ${summary.surplus} Wh`);
  }
  return null;
}

/** Splits `total` over `weights` exactly: floor(total × w / sum) each, the Wh left over one each to the largest
 * remainders, ties to the lower position (rules 2 and 4 of docs/settlement.md). */
export function splitProRata(total, weights, sum) {
  const shares = weights.map(() => 0n);
  if (total === 0n) return shares;
  const remainders = [];
  let assigned = 0n;
  weights.forEach((w, i) => {
    if (w === 0n) return;
    shares[i] = (total * w) / sum;
    assigned += shares[i];
    remainders.push({ remainder: (total * w) % sum, index: i });
  });
  remainders.sort((a, b) => (a.remainder !== b.remainder ? (a.remainder > b.remainder ? -1 : 1) : a.index - b.index));
  for (let k = 0n; k < total - assigned; k++) shares[remainders[Number(k)].index]++;
  return shares;
}

/** Shorts in position order filled from the longs in position order (rule 5): pair(short, long, Wh) in order. */
export function pairNorthWest(covered, provided, pair) {
  let j = 0;
  let left = provided.length > 0 ? provided[0] : 0n;
  for (let i = 0; i < covered.length; i++) {
    let need = covered[i];
    while (need > 0n) {
      while (left === 0n) left = provided[++j];
      const x = need < left ? need : left;
      pair(i, j, x);
      need -= x;
      left -= x;
    }
  }
}

const describe = (t) => `${t.energy} Wh in ${t.postings} postings for ${t.amount}`;
const sameTotal = (a, b) => a.postings === b.postings && a.energy === b.energy && a.amount === b.amount;
const sumOf = (records, of) => records.reduce((t, r) => {
  const k = of(r);
  return { postings: t.postings + k.postings, energy: t.energy + k.energy, amount: t.amount + k.amount };
}, { postings: 0n, energy: 0n, amount: 0n });

/** Every household record of a block opened (each passed checkOpened, in pseudonym order); a failure or null. */
export function checkFully(records, summary, h) {
  const shorts = records.map((r) => r.covered.energy + r.bought.energy);
  const longs = records.map((r) => r.provided.energy + r.sold.energy);
  const add = (values) => values.reduce((a, b) => a + b, 0n);
  const sums = [['export', add(records.map((r) => r.exportWh)), summary.exportWh], ['import', add(records.map((r) => r.importWh)), summary.importWh],
    ['shortfall', add(shorts), summary.shortfall], ['surplus', add(longs), summary.surplus]];
  for (const [what, sum, total] of sums) {
    if (sum !== total) return failure('TotalsMismatch', h, `the summary's ${what} is ${total} Wh, the opened records add up to ${sum} Wh`, null, 0);
  }
  const kinds = [['neighbour cover paid', (r) => r.covered, summary.cover], ['neighbour cover received', (r) => r.provided, summary.cover],
    ['utility purchase', (r) => r.bought, summary.purchase], ['utility feed-in', (r) => r.sold, summary.feedIn]];
  for (const [what, of, total] of kinds) {
    const sum = sumOf(records, of);
    if (!sameTotal(sum, total)) {
      return failure('TotalsMismatch', h,
        `the summary's ${what} is ${total.postings} postings, ${total.energy} Wh, ${total.amount}; the opened records add up to ${sum.postings}, ${sum.energy} Wh, ${sum.amount}`, null, 0);
    }
  }

  const local = summary.localPrice ?? 0n;
  const covered = splitProRata(summary.netted, shorts, summary.shortfall);
  const provided = splitProRata(summary.netted, longs, summary.surplus);
  const zero = () => ({ postings: 0n, energy: 0n, amount: 0n });
  const paid = records.map(zero);
  const received = records.map(zero);
  pairNorthWest(covered, provided, (i, j, wh) => {
    const amount = tradeAmount(wh, local) ?? -1n;
    for (const t of [paid[i], received[j]]) {
      t.postings++;
      t.energy += wh;
      t.amount += amount;
    }
  });
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    if (!sameTotal(r.covered, paid[i]) || !sameTotal(r.provided, received[i])) {
      return failure('ImbalanceMismatch', h,
        `household ${r.household}'s neighbour postings (covered ${describe(r.covered)}, provided ${describe(r.provided)}) are not the settlement's exact pro-rata split and pairing (covered ${describe(paid[i])}, provided ${describe(received[i])})`,
        null, i + 1);
    }
  }
  return null;
}
