/** A deterministic markdown reply with every construct a chat answer uses, about `bytes` long. */
export function sampleReply(bytes?: number): string;
