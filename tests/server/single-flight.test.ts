import { SingleFlight } from '../../server/src/http/single-flight';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('identical dashboard reads in flight share one computation', () => {
  it('a second asker of the same key joins the running computation; another key computes its own', async () => {
    const flights = new SingleFlight();
    const first = deferred<string>();
    let computed = 0;
    const compute = () => ((computed += 1), first.promise);
    const a = flights.run('7|/dashboards/behaviour|{}', compute);
    const b = flights.run('7|/dashboards/behaviour|{}', compute);
    const other = flights.run('8|/dashboards/behaviour|{}', async () => 'member 8');
    expect(computed).toBe(1);
    first.resolve('member 7');
    expect(await Promise.all([a, b, other])).toEqual(['member 7', 'member 7', 'member 8']);
  });

  it('nothing is kept once settled: the next ask computes afresh, after an answer or a failure', async () => {
    const flights = new SingleFlight();
    let n = 0;
    expect(await flights.run('k', async () => ++n)).toBe(1);
    expect(await flights.run('k', async () => ++n)).toBe(2);
    const failing = deferred<number>();
    const x = flights.run('k', () => failing.promise);
    const y = flights.run('k', async () => 99);
    failing.reject(new Error('连接中断'));
    await expect(x).rejects.toThrow('连接中断');
    await expect(y).rejects.toThrow('连接中断');
    expect(flights.size).toBe(0);
    expect(await flights.run('k', async () => ++n)).toBe(3);
  });
});
