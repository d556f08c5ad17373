// The failure reasons of the C# verifier (Market.Ledger.VerificationFailureReason, listed in the tamper cases'
// manifest) as this verifier reports them: the one place where the two vocabularies meet. It uses the C# names;
// what it never reports is listed with the reason why.
import { REASONS } from '../src/describe.js';

/** C# reasons this verifier never reports. */
export const NOT_REPORTED = Object.freeze({
  ReplayMismatch: 'the clearing replay is left to `market ledger verify`',
  ReplayUnsupported: 'the clearing replay is left to `market ledger verify`',
  ReadingMissing: 'neither the export nor an openings file carries meter readings (personal data), and the browser is given none',
  ReadingMismatch: 'neither the export nor an openings file carries meter readings (personal data), and the browser is given none',
  InclusionProofInvalid: 'a trade receipt\'s reason, not a chain\'s',
  UntrustedKey: 'a trade receipt\'s reason, not a chain\'s',
  ReceiptInvalid: 'an acceptance receipt\'s or omission proof\'s reason (receipts.js), not a chain\'s',
  OrderIncluded: 'an omission proof\'s reason (receipts.js), not a chain\'s',
});

/** Reasons only this verifier has. */
export const ONLY_HERE = Object.freeze({
  ExportUnreadable: 'the page could not download the export, so nothing was verified',
  OpeningsUnreadable: 'the page could not read the openings file its user picked, so nothing was verified',
  AlgorithmUnsupported: 'the browser\'s WebCrypto lacks Ed25519, so a household signature could not be checked',
});

/** The reason this verifier reports for a C# reason; throws for one it never reports. */
export function jsReason(csharpReason) {
  if (Object.hasOwn(NOT_REPORTED, csharpReason)) {
    throw new Error(`this verifier never reports ${csharpReason}: ${NOT_REPORTED[csharpReason]}`);
  }
  if (!REASONS.includes(csharpReason)) throw new Error(`no reason of this verifier for ${csharpReason}`);
  return csharpReason;
}

/** What is wrong with the mapping against the C# reasons (empty when it is total both ways). */
export function mappingProblems(csharpReasons) {
  const problems = [];
  for (const reason of csharpReasons) {
    if (Object.hasOwn(NOT_REPORTED, reason) === REASONS.includes(reason)) {
      problems.push(`${reason}: must be either reported here or listed as not reported, not ${REASONS.includes(reason) ? 'both' : 'neither'}`);
    }
  }
  for (const reason of REASONS) {
    if (!csharpReasons.includes(reason) && !Object.hasOwn(ONLY_HERE, reason)) problems.push(`${reason}: unknown to the C# verifier`);
  }
  for (const reason of [...Object.keys(NOT_REPORTED), ...Object.keys(ONLY_HERE)]) {
    if (!csharpReasons.includes(reason) && !Object.hasOwn(ONLY_HERE, reason)) problems.push(`${reason}: listed but not a C# reason`);
  }
  return problems;
}
