export class DocumentTokens {}
