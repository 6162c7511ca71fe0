import { equivalenceSuite } from './equivalence-suite.js';

equivalenceSuite('mixed');
