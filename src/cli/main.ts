import { listTokenizers } from '../core/tokenizers/registry';

for (const t of listTokenizers()) console.log(`${t.id}\t${t.name}`);
