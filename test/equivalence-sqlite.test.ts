import { equivalenceSuite } from './equivalence-suite.js';

equivalenceSuite('sqlite');
