#!/usr/bin/env node
import '../dist/focal.cjs';
