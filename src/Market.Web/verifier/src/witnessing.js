// Checkpoint notes against a verified chain (ChainVerifier.CheckNote in C#): the market publishes its newest
// checkpoint as a C2SP signed note beside the export, with the cosignatures its witnesses added. After the blocks
// verified, a note is checked against them: its body is a checkpoint of the sealed policy's origin, no larger than
// the chain, whose root is the ledger-wide tree's root at its size, signed by a sealed log key (any so far: a note
// of an earlier size may predate a key change), and, with an auditor's policy that names logs, by one of those
// (CheckpointNoteInvalid otherwise). Its cosignatures are then judged against the auditor's policy when one is given,
// else the sealed one: which witnesses vouched for it, and whether the quorum was met. With an auditor's policy a
// quorum not met is a failure (WitnessQuorumNotMet); against the sealed policy it is only reported.
import { VERIFIED_CHAIN } from './chain.js';
import { checkWitnesses, parseCheckpoint, parsePolicy, parseSignedNote, policySatisfiedBy, verifyNoteBy } from './notes.js';
import { bytesToHex, equalBytes } from './hex.js';
import { describeNote } from './describe.js';

/**
 * Checks a checkpoint note (text or UTF-8 bytes) against a verified chain's result (from verifyExportText or
 * verifyUrl). `auditorPolicyText` is a tlog-policy to judge the cosignatures by, or null for the sealed policy.
 * Returns { valid, reason, problem, origin, size, root, rootMatches, logSignatureValid, cosigners: [{ name,
 * timestamp }], invalidCosigners: [name], quorumMet, needed (cosigners the quorum needs at its top level), of (members
 * at the top level), witnesses (how many the policy names), policySource: 'auditor' | 'sealed', description }.
 * `valid` is whether the note is the chain's (and, with an auditor's policy, met its quorum); `reason` is
 * CheckpointNoteInvalid, WitnessQuorumNotMet or WitnessPolicyInvalid (the auditor's policy does not parse), or null.
 * Never throws.
 */
export function checkNote(result, noteText, auditorPolicyText = null) {
  const policySource = auditorPolicyText === null || auditorPolicyText === undefined ? 'sealed' : 'auditor';
  const report = {
    valid: false,
    reason: null,
    problem: null,
    origin: null,
    size: null,
    root: null,
    rootMatches: false,
    logSignatureValid: false,
    cosigners: [],
    invalidCosigners: [],
    quorumMet: false,
    needed: 0,
    of: 0,
    witnesses: 0,
    policySource,
  };
  const done = (reason, problem) => {
    const out = { ...report, reason, problem, valid: reason === null };
    return { ...out, description: describeNote(out) };
  };
  const invalid = (problem) => done('CheckpointNoteInvalid', problem);

  const chain = result?.[VERIFIED_CHAIN];
  if (!result?.valid || chain === undefined) return invalid('the ledger did not verify, so there is nothing to check the note against');
  const sealed = chain.witnessPolicy;
  if (sealed === null) return invalid('the ledger has no witness policy block, so it names no log key to check the note with');

  const parsed = parseSignedNote(noteText);
  if (parsed.error) return invalid(`not a signed note: ${parsed.error}`);
  const note = parsed.value;
  const body = parseCheckpoint(note.text);
  if (body.error) return invalid(`not a checkpoint: ${body.error}`);
  const checkpoint = body.value;
  report.origin = checkpoint.origin;
  report.size = Number(checkpoint.size);
  report.root = bytesToHex(checkpoint.root);
  if (checkpoint.origin !== sealed.origin) return invalid(`the note's origin ${checkpoint.origin} is not the ledger's, ${sealed.origin}`);
  if (checkpoint.size > BigInt(chain.blockCount)) {
    return invalid(`the note covers ${checkpoint.size} blocks but the ledger verified has ${chain.blockCount}`);
  }
  report.rootMatches = equalBytes(chain.ledgerRootAt(Number(checkpoint.size)), checkpoint.root);
  if (!report.rootMatches) return invalid(`the note's root is not the root of the ledger's first ${checkpoint.size} blocks`);
  // Any log key sealed so far may have signed it (a note of an earlier size may be older than a key change); a line
  // from one of them that does not verify makes the note malformed.
  const verdicts = chain.logKeys.map((k) => verifyNoteBy(note, k));
  report.logSignatureValid = verdicts.includes(true) && !verdicts.includes(false);
  if (!report.logSignatureValid) {
    return invalid(verdicts.includes(false)
      ? 'a signature line from a sealed log key does not verify'
      : 'the note carries no signature from a sealed log key');
  }

  let policy = sealed.policy;
  if (policySource === 'auditor') {
    const auditor = parsePolicy(auditorPolicyText);
    if (auditor.error) return done('WitnessPolicyInvalid', `the auditor's policy cannot be read: ${auditor.error}`);
    policy = auditor.value;
  }
  const check = checkWitnesses(policy, note);
  if (policySource === 'auditor' && policy.logs.length > 0 && !check.logSignatureValid) {
    return invalid('the note is not signed by a log of the auditor\'s policy');
  }
  report.cosigners = check.cosigners;
  report.invalidCosigners = check.invalidCosigners;
  report.needed = policy.threshold;
  report.of = policy.of;
  report.witnesses = policy.witnesses.length;
  report.quorumMet = check.invalidCosigners.length === 0 && policySatisfiedBy(policy, new Set(check.cosigners.map((c) => c.name)));
  if (!report.quorumMet && policySource === 'auditor') {
    return done('WitnessQuorumNotMet', check.invalidCosigners.length > 0
      ? `cosignatures that do not verify: ${check.invalidCosigners.join(', ')}`
      : `${check.cosigners.length} of the ${policy.threshold} witnesses needed cosigned the note`);
  }
  return done(null, null);
}
