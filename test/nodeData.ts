// Every test reads Tokenwise's data through Node's file system, as the extension and the CLI do.
import { useNodeData } from '../src/core/data/node';

useNodeData();
